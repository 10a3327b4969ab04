"""The block council: terms, seats, elections, ballots and declared interests."""
