"""Style lenses: neural style transfer of stills (Gatys et al.) and fast style nets (Johnson et al.).

gram.py, losses.py  Gram matrices; content, style and total-variation losses measured by a frozen VGG
gatys.py            optimising one picture (``lensengine stylize``)
content_folder.py   random crops of content photos
fast_style.py       the Johnson net trained with perceptual losses (``style``)
export.py           a frame or face lens pack (``style-export``)
cli.py              the commands; ``add_style_parser(subparsers)``
"""
