"""What every trainer shares: the training loop and its run options, checkpoints, seeds, mixed precision,
losses and initialisation, quality measurement, the pack export, the FP16 converter, the discriminator and
the VGG loss net.
"""
