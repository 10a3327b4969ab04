"""Autonomous groups: one regional group per road segment, one industry group per industry, and their leaders."""
