"""Issue threads: residents' doorstep reports and merchants' issues, answers, triage and the fix loop."""
