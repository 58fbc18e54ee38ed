"""CycleGAN face lenses for lensengine, trained on unpaired faces (see README.md for how they were made).

``thug_glasses_cyclegan`` puts the pixel-art sunglasses on a face; ``glasses_removal_cyclegan`` takes them off.
"""
