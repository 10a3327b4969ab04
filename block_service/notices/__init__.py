"""Notices from the workstation with read receipts, the directory of government services, 门前三包 inspections."""
