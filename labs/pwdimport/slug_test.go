package pwdimport

import "testing"

func TestSlugFromFile(t *testing.T) {
	cases := []struct{ name, want string }{
		{"2017-01-01-some-title.md", "some-title"},
		{"/posts/_posts/2018-11-30-Docker_Swarm Intro.markdown", "docker-swarm-intro"},
		{"beginner-linux.md", "beginner-linux"},
		{"2017-01-01-Réseaux et volumes.md", "reseaux-et-volumes"},
		{"2019-02-03-what's-new.md", "whats-new"},
		{"2019-02-03-" + longName + ".md", "a-very-long-title-that-goes-on-and-on-about-containers-and-more"},
		{"2017-01-01-.md", ""},
		{"----.md", ""},
	}
	for _, tc := range cases {
		got, err := SlugFromFile(tc.name)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("SlugFromFile(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if got != "" && CheckSlug(got) != nil {
			t.Errorf("SlugFromFile(%q) = %q, which is no valid slug", tc.name, got)
		}
	}
}

const longName = "a very long title that goes on and on about containers and more containers still"

func TestCheckSlug(t *testing.T) {
	for _, ok := range []string{"a", "docker-101", "0-day"} {
		if err := CheckSlug(ok); err != nil {
			t.Errorf("CheckSlug(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-a", "A", "a_b", "a b", "é"} {
		if CheckSlug(bad) == nil {
			t.Errorf("CheckSlug(%q) accepted it", bad)
		}
	}
}

func TestUniqueIDs(t *testing.T) {
	c := newConverter(&notes{}, "T")
	got := []string{c.uniqueID("a"), c.uniqueID("a"), c.uniqueID("a-2"), c.uniqueID("a"), c.uniqueID("intro")}
	want := []string{"a", "a-2", "a-2-2", "a-3", "intro"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ids = %v, want %v", got, want)
			break
		}
	}
}
