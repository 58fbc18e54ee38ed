"""CycleGAN lenses: unpaired face-to-face translation (Zhu et al., ICCV 2017) on the shared training loop.

teacher_split.py    unpaired trainA/ trainB/ from a face folder and a teacher lens (``cyclegan-data``)
unpaired_folder.py  the trainA/ trainB/ samples, letterboxed and augmented
image_pool.py       the 50 past fakes the discriminators learn from
model.py            the two generators, two discriminators and their losses (``cyclegan``)
quality.py          PSNR / SSIM against a teacher on held-out faces
export.py           both directions as lens packs (``cyclegan-export``)
cli.py              the commands; ``add_cyclegan_parser(subparsers)``
"""
