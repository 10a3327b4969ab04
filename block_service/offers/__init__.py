"""Community offers: what shops offer passers-by and neighbours (water, a toilet, a seat), and when."""
