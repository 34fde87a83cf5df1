"""kombu's filesystem transport, the embedded broker of `make run` and the tests, with each message
written atomically.

kombu writes a message straight into the queue folder; a worker listing the folder at that moment
can take the file before its bytes are in, fail to decode it and stop (seen under `make demo`:
"Unrecoverable error: JSONDecodeError"). Here a message is written under a name the reader skips,
then renamed into place: a rename within one folder is atomic, so a reader sees all of it or none.
"""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        # A leading dot: the reader matches "<anything>.<queue>.msg" on the text after the first dot.
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        with open(partial, "wb") as file:
            file.write(dumps(payload).encode())
        os.replace(partial, os.path.join(self.data_folder_out, name))


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self):
        # A folder has no host: with kombu's default ("localhost") every connection logged
        # "No hostname was supplied. Reverting to default 'localhost'".
        return {"port": self.default_port}
