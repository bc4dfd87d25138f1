"""Targeting: read a territory's open data and score its IRIS with a transparent formula.

Pure library code: no Flask, no database. Inputs and outputs are frozen dataclasses.
"""
