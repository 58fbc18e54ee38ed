"""What every trainer shares: the pack export, the FP16 converter, the discriminator and the VGG loss net."""
