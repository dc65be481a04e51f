from .anchor_points import activation_peaks, query_slots, query_words, set_anchor_points

__all__ = ['activation_peaks', 'query_slots', 'query_words', 'set_anchor_points']
