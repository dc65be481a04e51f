"""The transfer study: does pre-training help a detector on real images?"""
