package classroom

import (
	"context"
	"testing"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/store/storetest"

	"golang.org/x/crypto/bcrypt"
)

// Instructor accounts need the store alone (the command line has no
// engine): an account is made once per email, whatever its case; a login
// is a token that works until logout or a new password; a failed login
// says nothing of which part was wrong.
func TestAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := NewAccounts(storetest.Open(t))
	a.SetPasswordCost(bcrypt.MinCost)
	in, err := a.AddInstructor(ctx, " Teacher@School.example ", "correct horse battery")
	if err != nil || in.Email != "teacher@school.example" {
		t.Fatalf("AddInstructor = %+v, %v", in, err)
	}
	_, err = a.AddInstructor(ctx, "TEACHER@school.example", "another long password")
	wantCode(t, "the same email again", err, fault.ECONFLICT)
	_, err = a.AddInstructor(ctx, "new@school.example", "short")
	wantCode(t, "a short password", err, fault.EINVALID)
	_, err = a.AddInstructor(ctx, "not an email", "correct horse battery")
	wantCode(t, "a malformed email", err, fault.EINVALID)

	_, _, wrong := a.Login(ctx, "teacher@school.example", "not the password")
	_, _, unknown := a.Login(ctx, "nobody@school.example", "not the password")
	wantCode(t, "a wrong password", wrong, fault.EUNAUTHORIZED)
	if fault.ErrorMessage(wrong) != fault.ErrorMessage(unknown) {
		t.Errorf("a wrong password says %q, an unknown email %q", fault.ErrorMessage(wrong), fault.ErrorMessage(unknown))
	}
	token, who, err := a.Login(ctx, "teacher@school.example", "correct horse battery")
	if err != nil || who.ID != in.ID {
		t.Fatalf("Login = %+v, %v", who, err)
	}
	if got, err := a.Authenticate(ctx, token); err != nil || got.ID != in.ID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	if err := a.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	_, err = a.Authenticate(ctx, token)
	wantCode(t, "a token after logout", err, fault.EUNAUTHORIZED)

	token, _, err = a.Login(ctx, "teacher@school.example", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetPassword(ctx, "teacher@school.example", "a brand new password"); err != nil {
		t.Fatal(err)
	}
	_, err = a.Authenticate(ctx, token)
	wantCode(t, "a login from before the new password", err, fault.EUNAUTHORIZED)
	if _, _, err := a.Login(ctx, "teacher@school.example", "a brand new password"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
}
