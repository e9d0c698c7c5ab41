"""gemeval.data"""
