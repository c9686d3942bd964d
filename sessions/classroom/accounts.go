package classroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"golang.org/x/crypto/bcrypt"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// Password rules. bcrypt reads at most 72 bytes, so longer passwords are
// refused rather than silently cut.
const (
	MinPassword = 10
	MaxPassword = 72
	// passwordCost is the bcrypt cost of new hashes (about a quarter of a
	// second on a small server).
	passwordCost = 12
)

// LoginLifetime is how long an instructor stays logged in.
const LoginLifetime = 7 * 24 * time.Hour

// errBadLogin is the one answer to a failed login, whatever failed, so that
// nobody learns which emails have an account.
var errBadLogin = fault.Errorf(fault.EUNAUTHORIZED, "Wrong email or password.")

// passwords hashes and checks passwords at one bcrypt cost.
type passwords struct {
	cost int
	// dummy is compared against when the email is unknown, so that a failed
	// login takes as long whether or not the account exists.
	dummy func() []byte
}

func newPasswords(cost int) *passwords {
	return &passwords{cost: cost, dummy: sync.OnceValue(func() []byte {
		h, err := bcrypt.GenerateFromPassword([]byte("no such instructor, no such password"), cost)
		if err != nil {
			panic("classroom: " + err.Error())
		}
		return h
	})}
}

// Accounts keeps instructor accounts and their logins. It needs only the
// store, so the command line manages accounts without any engine. It is
// safe for concurrent use.
type Accounts struct {
	store *store.Store
	pw    *passwords
}

// NewAccounts returns the instructor accounts kept in st.
func NewAccounts(st *store.Store) *Accounts {
	return &Accounts{store: st, pw: newPasswords(passwordCost)}
}

// SetPasswordCost sets the bcrypt cost of the passwords hashed from now on
// (bcrypt.MinCost to bcrypt.MaxCost). Tests lower it to stay fast; it must
// be called before the accounts are used.
func (s *Accounts) SetPasswordCost(cost int) {
	s.pw = newPasswords(min(max(cost, bcrypt.MinCost), bcrypt.MaxCost))
}

// HashPassword checks a new password against the rules and returns its
// bcrypt hash at the default cost.
func HashPassword(password string) (string, error) {
	return hashPassword(password, passwordCost)
}

func hashPassword(password string, cost int) (string, error) {
	if n := len([]rune(password)); n < MinPassword {
		return "", fault.Errorf(fault.EINVALID, "The password must have at least %d characters.", MinPassword)
	}
	if len(password) > MaxPassword {
		return "", fault.Errorf(fault.EINVALID, "The password must be at most %d bytes long.", MaxPassword)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// normalizeEmail checks an email address and returns it trimmed and in
// lower case.
func normalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return "", fault.Errorf(fault.EINVALID, "%q is not an email address.", email)
	}
	return email, nil
}

// AddInstructor creates an instructor account. A taken email answers
// ECONFLICT; a malformed email or a weak password EINVALID.
func (s *Accounts) AddInstructor(ctx context.Context, email, password string) (*sessions.Instructor, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	hash, err := hashPassword(password, s.pw.cost)
	if err != nil {
		return nil, err
	}
	in := &sessions.Instructor{ID: sessions.NewID(), Email: email, PasswordHash: hash}
	if err := s.store.CreateInstructor(ctx, in); err != nil {
		return nil, err
	}
	return in, nil
}

// SetPassword replaces an instructor's password and logs them out
// everywhere.
func (s *Accounts) SetPassword(ctx context.Context, email, password string) error {
	in, err := s.store.InstructorByEmail(ctx, email)
	if err != nil {
		return err
	}
	hash, err := hashPassword(password, s.pw.cost)
	if err != nil {
		return err
	}
	return s.store.SetInstructorPassword(ctx, in.ID, hash)
}

// Login checks an email and a password and opens a login: it returns the
// token the browser keeps (only its hash is stored). Any failure of the
// credentials is the same EUNAUTHORIZED error, after the same work.
func (s *Accounts) Login(ctx context.Context, email, password string) (string, *sessions.Instructor, error) {
	in, err := s.store.InstructorByEmail(ctx, strings.TrimSpace(email))
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		bcrypt.CompareHashAndPassword(s.pw.dummy(), []byte(password))
		return "", nil, errBadLogin
	}
	if err != nil {
		return "", nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(in.PasswordHash), []byte(password)) != nil {
		return "", nil, errBadLogin
	}
	var b [32]byte
	rand.Read(b[:]) // it never fails (crypto/rand)
	token := base64.RawURLEncoding.EncodeToString(b[:])
	if err := s.store.CreateLoginToken(ctx, in.ID, hashToken(token), time.Now().Add(LoginLifetime)); err != nil {
		return "", nil, err
	}
	return token, in, nil
}

// Authenticate returns the instructor logged in with token. An unknown,
// revoked or expired token answers EUNAUTHORIZED.
func (s *Accounts) Authenticate(ctx context.Context, token string) (*sessions.Instructor, error) {
	if len(token) != 43 {
		return nil, fault.Errorf(fault.EUNAUTHORIZED, "Log in as an instructor first.")
	}
	return s.store.InstructorByToken(ctx, hashToken(token))
}

// Logout revokes the login held by token.
func (s *Accounts) Logout(ctx context.Context, token string) error {
	return s.store.DeleteLoginToken(ctx, hashToken(token))
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
