package api

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// A body over the server's limit (maxBodyLimit) is refused by fasthttp from
// its Content-Length, before it is read; fasthttp then answers 413 and
// closes the connection. Closing a socket with unread data makes the kernel
// send a reset, which can reach the client before it has read the answer:
// browsers and net/http, still sending the body, saw "connection reset"
// instead of the 413 (fasthttp issue 1348). So such a connection closes
// as net/http and nginx close theirs: the answer and then our end of the
// stream go out first, and the rest of the body is read and thrown away,
// for a while, before the socket closes.
const (
	lingerFor = 5 * time.Second
	lingerMax = 64 << 20
)

// Listener wraps ln so that a connection refused for its body's size
// closes without a reset: serve the app with app.Listener(api.Listener(ln)).
func Listener(ln net.Listener) net.Listener { return lingerListener{ln} }

type lingerListener struct{ net.Listener }

func (l lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lingerConn{Conn: c}, nil
}

// lingerConn drains what the client still sends when it closes, if asked.
type lingerConn struct {
	net.Conn
	linger atomic.Bool
}

func (c *lingerConn) Close() error {
	if c.linger.Load() {
		if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_ = c.Conn.SetReadDeadline(time.Now().Add(lingerFor))
		_, _ = io.Copy(io.Discard, io.LimitReader(c.Conn, lingerMax))
	}
	return c.Conn.Close()
}

// lingerOnTooLarge marks the connection of a body refused by fasthttp's
// limit, which fasthttp closes after the answer, to linger.
func lingerOnTooLarge(next fiber.ErrorHandler) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var fe *fiber.Error
		if errors.As(err, &fe) && fe.Code == fiber.StatusRequestEntityTooLarge {
			if lc, ok := c.Context().Conn().(*lingerConn); ok {
				lc.linger.Store(true)
			}
		}
		return next(c, err)
	}
}
