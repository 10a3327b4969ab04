"""Needs: what someone on the block asks for, answered with pledges; met or closed by its author."""
