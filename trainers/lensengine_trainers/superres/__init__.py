"""Super-resolution for lensengine: train a small net that enlarges a lens's output crop, and ship it as a pack.

A lens run at 128 px costs a quarter of one at 256 px, but its output pasted into a 720p frame looks soft. A
super-resolution (SR) pack enlarges the crop x2 or x4 before the compositor pastes it (lensengine/compose/superres.py).

The modules, in the order a run uses them:

- ``offline_images``: writes a training folder (face crops + natural images) and a held-out folder from the
  photos that ship offline, for a run that needs no downloads;
- ``degrade``: turns a sharp patch into the low-resolution input a lens would hand over (downscale, blur,
  noise, JPEG);
- ``patches``: the sample source of the shared loop: random sharp patches of any image folder, degraded;
- ``model``: the SR nets of lensengine.nets (ESPCN, FSRCNN, SRResNet, EDSR) as a model of the shared loop,
  an ESPCN started as a bilinear upscaler (``bilinear_start``);
- ``metrics`` and ``heldout``: PSNR and SSIM, measured on held-out images against plain bicubic;
- ``training``: the shared loop, with the held-out scores logged to TensorBoard as it goes;
- ``export`` and ``pack``: the pack (family ``superres``, any crop size) with the held-out scores in its
  provenance;
- ``cli``: the ``lensengine-train superres`` commands.
"""
