#pragma once
// A joined /rtc connection as ParticipantMover reaches it. Implemented by
// RtcSession; every call only posts to the connection's strand, so it may be
// made from any thread.
#include <string>

namespace ct::signal {

class MovableSession {
 public:
  virtual ~MovableSession() = default;
  // Sends a server message (already serialized) on the connection.
  virtual void send_text(std::string message) = 0;
  // Sends `move` (serialized) and starts the timeout after which the
  // participant leaves its room even if it never joined the new one.
  virtual void send_move(std::string message) = 0;
  // The participant joined the room it was moved to: it leaves this one
  // (the others see it leave with reason "moved") and the connection closes.
  virtual void moved_away() = 0;
};

}  // namespace ct::signal
