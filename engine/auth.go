package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the verified contents of an agent token.
type Claims struct {
	AgentID   string    // sub
	Name      string    // optional display name
	ExpiresAt time.Time // exp
	// IssuedAt is iat (zero when the token has none): tokens issued before
	// the agent's last logout are refused.
	IssuedAt time.Time
}

type tokenClaims struct {
	Name string `json:"name,omitempty"`
	jwt.RegisteredClaims
}

// VerifyToken checks an HS256 agent token signed with secret at time now:
// signature, algorithm, a required exp in the future and a valid sub.
func VerifyToken(secret []byte, token string, now time.Time) (Claims, error) {
	if len(secret) == 0 {
		return Claims{}, errors.New("no secret configured")
	}
	if token == "" {
		return Claims{}, errors.New("missing token")
	}
	if len(token) > 4096 {
		return Claims{}, errors.New("token too long")
	}
	var tc tokenClaims
	_, err := jwt.ParseWithClaims(token, &tc, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return Claims{}, fmt.Errorf("invalid token: %w", err)
	}
	if !validID(tc.Subject) {
		return Claims{}, errors.New("invalid token: sub is not a valid agent id")
	}
	if len(tc.Name) > 128 {
		return Claims{}, errors.New("invalid token: name too long")
	}
	cl := Claims{AgentID: tc.Subject, Name: tc.Name, ExpiresAt: tc.ExpiresAt.Time}
	if tc.IssuedAt != nil {
		cl.IssuedAt = tc.IssuedAt.Time
	}
	return cl, nil
}

// MintToken signs an agent token valid for ttl from now (demo endpoint and
// tests; production desktops mint their own with the shared secret).
func MintToken(secret []byte, agentID, name string, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("no secret configured")
	}
	if !validID(agentID) {
		return "", fmt.Errorf("invalid agent id %q", agentID)
	}
	if ttl <= 0 {
		return "", errors.New("ttl must be positive")
	}
	tc := tokenClaims{Name: name, RegisteredClaims: jwt.RegisteredClaims{
		Subject: agentID, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, tc).SignedString(secret)
}
