// Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
//
// h2post: N concurrent POSTs of SIZE bytes over one Go net/http HTTP/2 (TLS, ALPN h2)
// client, as an interop check with the standard library's client. Prints one line per
// request: "ok <proto> <status> <echoed length>" or "err <message>".
package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: h2post URL N SIZE")
		os.Exit(2)
	}
	url := os.Args[1]
	n, _ := strconv.Atoi(os.Args[2])
	size, _ := strconv.Atoi(os.Args[3])
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: true,
	}
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	body := bytes.Repeat([]byte("x"), size)
	var wg sync.WaitGroup
	out := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := client.Post(url, "application/octet-stream", bytes.NewReader(body))
			if err != nil {
				out[i] = "err " + err.Error()
				return
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				out[i] = "err " + err.Error()
				return
			}
			out[i] = fmt.Sprintf("ok %s %d %d", resp.Proto, resp.StatusCode, len(got))
		}(i)
	}
	wg.Wait()
	for _, l := range out {
		fmt.Println(l)
	}
}
