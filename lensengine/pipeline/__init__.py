"""The running engine: settings to parts (``assemble``), one frame through the data path (``process``), the frame
loop with its capture thread (``loop``), per-stage timings (``stats``, ``histogram``) and live lens switching
from the terminal (``controls``)."""
