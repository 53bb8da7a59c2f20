// Package stamp names versions of values that are answered again and
// again unchanged (a role in every ListRoles page), so that what is made
// from one version (its encoded form) can be kept and reused without the
// maker knowing what the value is.
//
// The domain packages stamp the values they cache (internal/iam's role
// cache); the protocol codecs keep each stamped value's encoded form
// (protocol.Fragments). A domain knows no wire format and a codec knows no
// roles: the stamp is all that passes between them. That is why it is a
// leaf package both import, rather than either one's type.
package stamp

import "sync/atomic"

// Stamped is a value that says which version of itself it is. Two values
// with the same nonzero stamp are equal member for member, so whatever was
// derived from one serves for the other; zero says nothing (a value made
// for one answer only). A stamped value must not be changed: whoever
// changes one must change it into a value with a new stamp, or none.
type Stamped interface {
	Stamp() uint64
}

var last atomic.Uint64

// Next is a stamp no value has had before in this process.
func Next() uint64 { return last.Add(1) }
