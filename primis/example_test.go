package primis_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// The examples run against the in-memory Primis.
func exampleServer() (*primistest.Server, []primis.Option) {
	srv := primistest.NewServer()
	return srv, []primis.Option{
		primis.WithBaseURL(srv.URL),
		primis.WithHTTPClient(srv.Client()), // trusts the fake's certificate
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword),
		primis.WithPhoneID("example-device"),
	}
}

func ExampleNew() {
	srv, opts := exampleServer()
	defer srv.Close()

	c, err := primis.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	// The first call logs in.
	areas, _, err := c.ControlledAreas.List(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range areas {
		fmt.Println(a.ID, a.Name, a.State)
	}
	// Output:
	// 110000000000 Factory Floor closed
	// 110000000001 Lobby closed
	// 130000000001 Main Entrance closed
	// 150000000003 Server Room LOCKDOWN
}

func ExampleClient_OpenDoor() {
	srv, opts := exampleServer()
	defer srv.Close()
	c, err := primis.New(append(opts, primis.WithOpenDuration(10*time.Second))...)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	fmt.Println(c.OpenDoor(ctx, primistest.EntranceID))
	err = c.OpenDoor(ctx, primistest.ServerRoomID)
	fmt.Println(errors.Is(err, access.ErrDenied), err)
	// Output:
	// <nil>
	// true primis: access to controlled area 150000000003 denied
}

func ExampleGeolocationService_RequestAccess() {
	srv, opts := exampleServer()
	defer srv.Close()
	c, err := primis.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	res, resp, err := c.Geolocation.RequestAccess(context.Background(), primis.GeolocationRequest{
		GPS: &primis.GPSPosition{Latitude: 49.1890, Longitude: -122.9922},
	})
	if err != nil {
		log.Fatal(err)
	}
	// A denial is HTTP 201 and a result, not an error.
	fmt.Println(resp.StatusCode, res.Granted(), res.PrimisResult.Info)
	// Output:
	// 201 false Unable to find controlled areas nearby
}

func ExampleWithTokenCallback() {
	srv, opts := exampleServer()
	defer srv.Close()
	var saved primis.Tokens
	c, err := primis.New(append(opts, primis.WithTokenCallback(func(t primis.Tokens) {
		saved = t // persist t.AccessToken.Reveal() and t.RefreshToken.Reveal()
	}))...)
	if err != nil {
		log.Fatal(err)
	}
	if _, _, err := c.Auth.Login(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(saved.RefreshToken != "", saved.RefreshToken) // secrets never print
	// Output:
	// true [redacted]
}

func ExampleAuthService_Deregister() {
	srv, opts := exampleServer()
	defer srv.Close()
	c, err := primis.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.ListDoors(ctx); err != nil { // registers the device
		log.Fatal(err)
	}
	// Free the device's licence (sent with Basic authentication).
	if _, _, err := c.Auth.Deregister(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(srv.Phones()))

	// The client does not register again by itself.
	_, err = c.ListDoors(ctx)
	fmt.Println(errors.Is(err, primis.ErrDeregistered), errors.Is(err, access.ErrUnauthorized))

	// An explicit login registers the device again.
	if _, _, err := c.Auth.Login(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(srv.Phones()))
	// Output:
	// 0
	// true true
	// 1
}
