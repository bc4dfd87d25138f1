"""Planning: who canvasses which session, and in which order the doors are walked.

Pure library code: no Flask, no database. Inputs and outputs are frozen dataclasses.
"""
