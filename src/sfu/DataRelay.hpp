#pragma once
// Where a participant hands the data messages it received from its browser:
// the Room, which knows who else is there. Called on the worker thread.
namespace ct::sfu {

class DataPacket;
class Participant;

class DataRelay {
 public:
  virtual ~DataRelay() = default;
  // A checked message (grant, size, rate) from `from`'s publisher
  // connection, for everyone it names, or everyone when it names nobody.
  virtual void relay(Participant& from, const DataPacket& packet, bool reliable) = 0;
};

}  // namespace ct::sfu
