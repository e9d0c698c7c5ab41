"""gemeval.report"""
