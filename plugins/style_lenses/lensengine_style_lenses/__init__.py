"""Painting-style lenses for lensengine: fast style nets (see README.md for how they were made).

``starry_night`` repaints the whole picture in the colours and strokes of Van Gogh's The Starry Night.
"""
