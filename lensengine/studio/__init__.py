"""``lensengine studio``: a local control page for a running engine.

The page shows the live output, a gallery of every installed lens (thumbnails rendered by each lens on a built-in
face photo), the per-stage timings, settings that can change while the engine runs, and ``lensengine doctor``'s
findings. It is served by Starlette on uvicorn, on 127.0.0.1 only, behind a random token and Host/Origin checks.

Files, in the order a request meets them: ``security`` (token, Host, Origin), ``app`` (the routes), ``engine``
(the running FrameLoop and the changes the page asks for), ``preview`` (the frame tap and the JPEG encoder),
``gallery`` (thumbnails and their disk cache), ``doctor_report`` and ``settings`` (validated page input),
``server`` (uvicorn beside the frame loop). The page itself is plain HTML/CSS/JS in ``static/``.
"""
