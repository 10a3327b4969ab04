"""Shops on the block, the road's segments, industries, and who acts for which shop."""
