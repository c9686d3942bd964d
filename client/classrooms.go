package client

import (
	"context"
	"net/http"
)

// Classroom is a classroom as its instructor sees it.
type Classroom struct {
	ID              string `json:"id"`
	Code            string `json:"code"`
	JoinURL         string `json:"join_url"`
	Name            string `json:"name"`
	Lab             string `json:"lab"`
	Seats           int    `json:"seats"`
	Status          string `json:"status"`
	Members         int    `json:"members"`
	ReadySeats      int    `json:"ready_seats"`
	ReadySeatsAsked int    `json:"ready_seats_asked"`
}

// Login logs the client in as an instructor.
func (c *Client) Login(ctx context.Context, email, password string) error {
	_, err := c.Do(ctx, http.MethodPost, "/api/instructors/login", map[string]string{"email": email, "password": password}, nil)
	return err
}

// CreateClassroom creates a classroom of the logged-in instructor; seats 0
// means no limit.
func (c *Client) CreateClassroom(ctx context.Context, name, lab string, seats int) (*Classroom, error) {
	var cl Classroom
	_, err := c.Do(ctx, http.MethodPost, "/api/classrooms", map[string]any{"name": name, "lab": lab, "seats": seats}, &cl)
	return &cl, err
}

// Classroom reads one of the logged-in instructor's classrooms.
func (c *Client) Classroom(ctx context.Context, id string) (*Classroom, error) {
	var cl Classroom
	_, err := c.Do(ctx, http.MethodGet, "/api/classrooms/"+id, nil, &cl)
	return &cl, err
}

// ReadySeats asks for n seats of a classroom to be made ready.
func (c *Client) ReadySeats(ctx context.Context, id string, n int) (*Classroom, error) {
	var cl Classroom
	_, err := c.Do(ctx, http.MethodPost, "/api/classrooms/"+id+"/ready", map[string]int{"seats": n}, &cl)
	return &cl, err
}

// Join takes a seat in a classroom as a learner and returns the session.
func (c *Client) Join(ctx context.Context, code, name string) (*Session, error) {
	var s Session
	_, err := c.Do(ctx, http.MethodPost, "/api/classrooms/join", map[string]string{"code": code, "name": name}, &s)
	return &s, err
}
