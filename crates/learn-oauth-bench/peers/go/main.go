// Command go-peer is the Go peer of the learn-oauth end-to-end benchmark:
// golang.org/x/oauth2/clientcredentials (what a Go user picks for client credentials)
// against the learn-oauth mock in another process. scripts/bench-peers.sh builds it in
// GOPATH mode from Debian's golang-golang-x-oauth2-dev, offline.
//
//	go-peer rate <token-url> <seconds>  # 200 warm-up tokens, then Config.Token for <seconds>
//	go-peer fetch <token-url> <n>       # exactly <n> tokens
//	go-peer warm <token-url> <n>        # <n> warm ReuseTokenSource.Token() calls, one goroutine
//
// rate and fetch print "tokens<TAB>seconds<TAB>tokens_per_s", warm prints
// "calls<TAB>ns_per_call", as e2e_client does. No token is ever printed.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The benchmark tenant: the same values as src/fixture.rs (TENANT_ID, CLIENT_SECRET,
// SCOPES). A benchmark value, not a credential.
const (
	tenantID     = "eu-west-2_AbcdEfghI"
	clientSecret = "b3nchmark-s3cret-not-a-credential"
)

var scopes = []string{"api/read", "api/write"}

// sink keeps every token's length alive, so no call is optimised away.
var sink int

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-peer: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: go-peer rate|fetch|warm <token-url> <seconds|n>")
	}
	mode, url := os.Args[1], os.Args[2]
	amount, err := strconv.ParseFloat(os.Args[3], 64)
	if err != nil {
		fail("not a number: %q", os.Args[3])
	}
	// One client, kept-alive connection, redirects off and the timeout ours sets.
	client := &http.Client{
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, client)
	// HTTP Basic, as ours sends (the default would probe the header, then the body).
	conf := &clientcredentials.Config{
		ClientID:     tenantID,
		ClientSecret: clientSecret,
		TokenURL:     url,
		Scopes:       scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	// Config.Token: one fresh token request per call (a new ReuseTokenSource each time).
	one := func() {
		token, err := conf.Token(ctx)
		if err != nil {
			fail("a token request failed: %v", err)
		}
		sink += len(token.AccessToken)
	}
	switch mode {
	case "rate", "fetch":
		warmup, n, budget := 0, int64(amount), time.Duration(amount*float64(time.Second))
		if mode == "rate" {
			warmup = 200
		}
		for i := 0; i < warmup; i++ {
			one()
		}
		began := time.Now()
		var tokens int64
		for (mode == "fetch" && tokens < n) || (mode == "rate" && time.Since(began) < budget) {
			one()
			tokens++
		}
		secs := time.Since(began).Seconds()
		fmt.Printf("%d\t%.3f\t%.0f\n", tokens, secs, float64(tokens)/secs)
	case "warm":
		n := int64(amount)
		if n < 1 {
			n = 1
		}
		// The caching source a Go user holds: a ReuseTokenSource over the fetcher.
		source := conf.TokenSource(ctx)
		first, err := source.Token()
		if err != nil {
			fail("the first token request failed: %v", err)
		}
		began := time.Now()
		for i := int64(0); i < n; i++ {
			token, err := source.Token()
			if err != nil {
				fail("a warm hit failed: %v", err)
			}
			sink += len(token.AccessToken)
		}
		elapsed := time.Since(began)
		if last, _ := source.Token(); last.AccessToken != first.AccessToken {
			fail("the warm hits fetched a new token")
		}
		fmt.Printf("%d\t%.1f\n", n, float64(elapsed.Nanoseconds())/float64(n))
	default:
		fail("unknown mode %q: rate, fetch or warm", mode)
	}
	if sink < 0 {
		fmt.Println(sink)
	}
}
