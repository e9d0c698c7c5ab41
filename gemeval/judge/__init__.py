"""gemeval.judge"""
