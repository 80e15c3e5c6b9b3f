"""Container HEALTHCHECK: exit 0 only when GET /readyz answers 200 (model loaded and warmed).

Standard library only, so the image needs no curl. Reads the port the server was given.
"""

import os
import sys
import urllib.request

url = f"http://127.0.0.1:{os.environ.get('DIGITS_PORT', '5000')}/readyz"
try:
    with urllib.request.urlopen(url, timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:  # URLError and HTTPError (503 while warming) are both OSErrors
    print(f"{url}: {exc}", file=sys.stderr)
    sys.exit(1)
