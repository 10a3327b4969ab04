"""Personal data: the privacy notice and its acceptance, a person's data download, deleting an account."""
