"""How the block is doing: plan indicators, the dashboard, what is stuck in the loop, and the open data.

This domain only reads: it sits above every domain whose tables it counts. Each figure, stuck stage and open
data file is registered by a decorator in the module of its own domain's figures (figures.py, loop.py,
opendata_files.py); importing the package registers them all.
"""

from block_service.insights import figures as _figures  # noqa: F401  (registers the indicators)
from block_service.insights import figures_funds as _funds  # noqa: F401  (registers the fund's figure)
from block_service.insights import figures_inspections as _inspections  # noqa: F401  (门前三包, 环境共治 only)
from block_service.insights import figures_projects as _projects  # noqa: F401  (projects' figures, stage, files)
from block_service.insights import opendata_files as _files  # noqa: F401  (registers the open data files)
from block_service.insights import opendata_funds as _fund_files  # noqa: F401  (the ledger and pledges files)
