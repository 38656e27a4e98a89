package storetest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
)

// The PostgreSQL wire protocol, as much of it as the parking lot
// (parking.go) reads: startup packets, and messages of a type byte and a
// length that counts itself.

// The protocol codes of the startup packets (PostgreSQL's protocol docs).
const (
	protocol3   = 196608
	sslRequest  = 80877103
	gssRequest  = 80877104
	cancelCodes = 80877102
)

// framer follows the messages of one direction of a session as its bytes
// pass: a type byte and a length (which counts itself), then the body.
type framer struct {
	head   [5]byte
	hn     int  // bytes of head read
	typ    byte // the current message's type
	need   int  // bytes of the current message's body still to come
	status byte // the last ReadyForQuery's transaction status
	// count counts the messages begun, by type.
	count [256]int
	// extended: an extended-protocol message was sent since the last sync.
	extended bool
}

// feed follows b. With stop set, it ends before a message of that type
// and returns where it begins; otherwise len(b). False if a length is
// impossible.
func (f *framer) feed(b []byte, stop byte) (int, bool) {
	for i := 0; i < len(b); {
		if f.need > 0 {
			k := min(f.need, len(b)-i)
			if f.typ == 'Z' && k == f.need {
				f.status = b[i+k-1] // ReadyForQuery's body is its status
			}
			f.need -= k
			i += k
			continue
		}
		if f.hn == 0 && stop != 0 && b[i] == stop {
			return i, true
		}
		f.head[f.hn] = b[i]
		f.hn++
		i++
		if f.hn == len(f.head) {
			n := binary.BigEndian.Uint32(f.head[1:])
			if n < 4 || n > 1<<30 {
				return i, false
			}
			f.typ, f.need, f.hn = f.head[0], int(n)-4, 0
			f.count[f.typ]++
			switch f.typ {
			case 'P', 'B', 'D', 'E', 'C', 'H', 'F':
				f.extended = true
			case 'S':
				f.extended = false
			}
		}
	}
	return len(b), true
}

// between reports whether the bytes so far end with a whole message.
func (f *framer) between() bool { return f.hn == 0 && f.need == 0 }

// sessionKey names a session by its startup parameters, of search_path
// only whether it is given (serve sets it on a session it hands out).
func sessionKey(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte(0)
	for _, k := range keys {
		if k == "search_path" {
			b.WriteString("search_path given\x00")
			continue
		}
		fmt.Fprintf(&b, "%s=%s\x00", k, params[k])
	}
	return b.String()
}

// readStartup reads a startup packet: its length, then the rest.
func readStartup(r *bufio.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n < 8 || n > 10000 {
		return nil, errors.New("not a startup packet")
	}
	packet := make([]byte, n)
	copy(packet, head[:])
	_, err := io.ReadFull(r, packet[4:])
	return packet, err
}

// startupParams reads a startup packet's name and value pairs.
func startupParams(b []byte) map[string]string {
	params := map[string]string{}
	fields := strings.Split(string(b), "\x00")
	for i := 0; i+1 < len(fields) && fields[i] != ""; i += 2 {
		params[fields[i]] = fields[i+1]
	}
	return params
}

// readMessage reads one protocol message, its type and length included;
// nil if nothing of it was read before the error.
func readMessage(r *bufio.Reader) ([]byte, error) {
	head, err := r.Peek(5)
	if err != nil {
		if len(head) == 0 {
			return nil, err
		}
		return head, err
	}
	n := binary.BigEndian.Uint32(head[1:5])
	if n < 4 || n > 1<<30 {
		return head, errors.New("a message of impossible length")
	}
	msg := make([]byte, 1+n)
	_, err = io.ReadFull(r, msg)
	return msg, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
