// Which addresses the worker may POST to. A tenant chooses its webhook URL; the
// worker runs inside the operator's network, so without a check a tenant could
// make it send requests to the operator's own services (loopback, private
// networks, a cloud's metadata address at 169.254.169.254). The check is made
// on the address the connection actually uses, after name resolution, so a name
// that resolves to a private address (or changes to one) is refused too.
#pragma once

#include <sys/socket.h>

namespace mycelium_worker {

// True for an IPv4 or IPv6 address on the public internet: not loopback,
// private (RFC 1918, RFC 4193), shared (100.64/10), link-local, unspecified,
// multicast, reserved or broadcast; an IPv4-mapped IPv6 address is judged as
// its IPv4 address. False for any other family.
bool is_public_address(const sockaddr *address);

}  // namespace mycelium_worker
