#!/usr/bin/python3
"""A WHIP client (RFC 9725) for the end-to-end tests, on GStreamer's webrtcbin.

Publishes a moving test pattern (VP8) and a tone (Opus), sendonly, through
the WHIP endpoint (HTTP, trickle ICE and events: lib/gst_webrtc.py). Runs
for the given seconds, or until stdin closes, then DELETEs the session.

    whip_client.py URL TOKEN [SECONDS]

Prints one JSON line per event: {"event": "created", "location": ...},
{"event": "connected"}, {"event": "patched", "status": 204},
{"event": "deleted", "status": 200}.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from gst_webrtc import Gst, GstWebRTC, HttpSdpClient  # noqa: E402

PIPELINE = '''
webrtcbin name=send bundle-policy=max-bundle
videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! video/x-raw,width=320,height=240,framerate=15/1
  ! videoconvert ! queue ! vp8enc deadline=1 target-bitrate=300000 keyframe-max-dist=30
  ! rtpvp8pay pt=96 ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! send.
audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ! queue ! opusenc
  ! rtpopuspay pt=111 ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! send.
'''


class WhipClient(HttpSdpClient):
    def __init__(self, url, token, seconds):
        pipe = Gst.parse_launch(PIPELINE)
        super().__init__(url, token, seconds, pipe, pipe.get_by_name('send'))

    def on_negotiation_needed(self, element):
        # A WHIP client only sends (RFC 9725 §4.2).
        i = 0
        while True:
            transceiver = element.emit('get-transceiver', i)
            if transceiver is None:
                break
            transceiver.set_property('direction', GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
            i += 1
        super().on_negotiation_needed(element)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    Gst.init(None)
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    WhipClient(sys.argv[1], sys.argv[2], seconds).run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
