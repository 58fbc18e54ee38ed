"""pix2pix lenses: paired face-to-face translation (Isola et al., CVPR 2017) on the shared training loop.

model.py       the U-Net generator, the PatchGAN discriminator and their losses (``pix2pix``)
distill.py     a slim real-time student learning from a trained generator (``distill``)
export.py      a checkpoint as a lens pack with provenance and measured quality
cli.py         the ``pix2pix`` and ``distill`` training commands
export_cli.py  the ``export`` command
"""
