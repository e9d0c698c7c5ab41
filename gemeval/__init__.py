"""gemeval: evaluation harness for grounded ECG understanding."""

__version__ = "0.1.0"
