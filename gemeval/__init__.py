"""gemeval: evaluation harness for grounded ECG understanding."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # The API is imported on first use so that `gemeval --version` stays instant.
    if name in ("evaluate", "JudgeOptions", "RunResult"):
        from gemeval import run

        return getattr(run, name)
    raise AttributeError(f"module 'gemeval' has no attribute {name!r}")
