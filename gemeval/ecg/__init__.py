"""gemeval.ecg"""
