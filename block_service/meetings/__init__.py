"""Meetings: hearings, coordination and evaluation meetings, and council meetings."""
