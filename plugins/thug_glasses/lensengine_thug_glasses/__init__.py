"""The "Thug Life" sunglasses lenses for lensengine.

``thug_glasses_classic`` draws pixel-art sunglasses from a grid built in code; it is also the teacher that
makes training pairs for the neural ``thug_glasses`` pack, so it is deterministic at every crop size.
"""
