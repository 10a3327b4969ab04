"""Projects: passed motions carried out, with milestones, updates, money or pledges, and their evaluation."""
