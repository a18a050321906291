"""Rules every trajectory is judged by, shared by the engine's descent loop and the reference
methods (``reference.py``), so a status or an oscillation means the same thing in every row."""

STATUS_OK, STATUS_NONFINITE, STATUS_LEFT_RANGE = 0, 1, 2
SANE_WIDTHS = 10.0  # an iterate farther than this many box widths outside the box has diverged
OSCILLATION_WINDOW = 0.05  # oscillation = mean |f_t - f_{t-1}| over this last fraction of the budget
