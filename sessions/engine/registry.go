package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
)

// The registry: one container per instance, Debian's docker-registry (the
// CNCF distribution registry, image deploy/registry), holding every image
// the labs declare, which the nodes' engines use as their mirror. The
// server seeds it at start from the outer engine's images: a writable
// registry on the engine host's loopback receives them (ImagePush), then
// the registry is started read-only and attached to each session's
// network under the name registryAlias, including internal networks
// (PLAYGROUND_NODE_EGRESS=none), where it is the only way in. A node that
// lacks an image pulls it from there; an image it does not have falls back
// to Docker Hub where the node reaches it.
const (
	// registryAlias is the registry's name on every session network.
	registryAlias = "registry.playground"
	// registryPort is where it answers.
	registryPort = "5000"
	// LabelRegistry holds what the registry was seeded with.
	LabelRegistry = "playground.registry"
	// registryData is where its storage is mounted.
	registryData = "/var/lib/registry"
	// registrySeedConfig is its writable configuration (the image's own
	// default is the read-only one).
	registrySeedConfig = "/etc/playground-registry/seed.yml"
	// pushAttempts and pushWait: the seeding registry needs a moment.
	pushAttempts = 20
	pushWait     = 250 * time.Millisecond
)

// The cache: with egress to the internet, a second registry container,
// pg-registry-cache-<instance>, in proxy mode, keeps what the nodes pull
// from Docker Hub (RegistryUpstream), so thirty learners pulling nginx cost
// one pull upstream. It is the nodes' second mirror, after the seeded one,
// at the subnet's last address but one. It alone has a way out (the
// engine's default bridge); proxy registries refuse pushes.
const (
	// DefaultUpstream is Docker Hub's registry.
	DefaultUpstream = "https://registry-1.docker.io"
	// DefaultRegistryImage is the image of the host's registry, built by
	// make images (deploy/registry).
	DefaultRegistryImage = "playground-registry:latest"
	// registryCacheConfig is the cache's configuration in the image.
	registryCacheConfig = "/etc/playground-registry/cache.yml"
	// registryCacheAlias is the cache's name on session networks.
	registryCacheAlias = "cache.registry.playground"
)

// cacheName is the cache container of an instance.
func cacheName(instance string) string { return NamePrefix + "registry-cache-" + instance }

// cacheOn reports whether the nodes get the cache as a mirror.
func (e *Engine) cacheOn() bool {
	return e.RegistryOn() && e.cfg.RegistryUpstream != "" && e.cfg.Egress == EgressInternet
}

// ensureCache makes sure the cache runs, for the configured upstream.
func (e *Engine) ensureCache(ctx context.Context) error {
	if !e.cacheOn() {
		return nil
	}
	name := cacheName(e.cfg.Instance)
	spec := e.cfg.RegistryImage + "|" + e.cfg.RegistryUpstream
	if info, err := e.cli.ContainerInspect(ctx, name); err == nil {
		if info.Config != nil && info.Config.Labels[LabelRegistry] == spec && info.State != nil && info.State.Running {
			return nil
		}
		if err := e.removeContainer(ctx, info.ID); err != nil {
			return err
		}
	} else if !cerrdefs.IsNotFound(err) {
		return engineError(err, "inspect the registry cache")
	}
	cfg, hc := e.registryConfig(spec)
	cfg.Cmd = []string{registryCacheConfig}
	cfg.Env = []string{"REGISTRY_PROXY_REMOTEURL=" + e.cfg.RegistryUpstream}
	hc.Mounts[0].Source = name + "-data"
	hc.Resources.Memory, hc.Resources.MemorySwap = 512<<20, 512<<20
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		return engineError(err, "create the registry cache")
	}
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return engineError(err, "start the registry cache")
	}
	e.log.Info("registry cache ready", "container", name, "upstream", e.cfg.RegistryUpstream)
	return nil
}

// dockerHubHosts are the names an engine looks up to pull from Docker Hub.
var dockerHubHosts = []string{"registry-1.docker.io", "index.docker.io", "auth.docker.io", "docker.io", "production.cloudflare.docker.com"}

// registryName is the registry container of an instance.
func registryName(instance string) string { return NamePrefix + "registry-" + instance }

// RegistryOn reports whether nodes get the registry as their mirror.
func (e *Engine) RegistryOn() bool { return e.cfg.RegistryImage != "" }

// EnsureRegistry makes sure the instance's registry runs, seeded with the
// images (those the outer engine has; the others are logged and left to
// the nodes' own pulls). A registry already seeded with the same images
// (by name and id) is kept.
func (e *Engine) EnsureRegistry(ctx context.Context, images []string) error {
	if !e.RegistryOn() {
		return nil
	}
	var have []string
	spec := sha256.New()
	fmt.Fprintln(spec, e.cfg.RegistryImage)
	for _, img := range images {
		info, err := e.cli.ImageInspect(ctx, img)
		if err != nil {
			e.log.Warn("a lab's image is not on the engine; nodes will pull it themselves", "image", img)
			continue
		}
		have = append(have, img)
		fmt.Fprintln(spec, img, info.ID)
	}
	want := hex.EncodeToString(spec.Sum(nil))[:16]
	name := registryName(e.cfg.Instance)
	if info, err := e.cli.ContainerInspect(ctx, name); err == nil {
		if info.Config != nil && info.Config.Labels[LabelRegistry] == want && info.State != nil && info.State.Running {
			return e.ensureCache(ctx)
		}
		if err := e.removeContainer(ctx, info.ID); err != nil {
			return err
		}
	} else if !cerrdefs.IsNotFound(err) {
		return engineError(err, "inspect the registry")
	}
	if err := e.seedRegistry(ctx, have); err != nil {
		return err
	}
	if err := e.ensureRegistryNetwork(ctx); err != nil {
		return err
	}
	cfg, hc := e.registryConfig(want)
	nc := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{name: {}}}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nc, nil, name)
	if err != nil {
		return engineError(err, "create the registry")
	}
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return engineError(err, "start the registry")
	}
	e.log.Info("registry ready", "container", name, "images", len(have))
	e.rejoinSessions(ctx, name)
	return e.ensureCache(ctx)
}

// registryConfig returns the settings of the registry's container.
func (e *Engine) registryConfig(spec string) (*container.Config, *container.HostConfig) {
	pids := int64(200)
	cfg := &container.Config{
		Image:  e.cfg.RegistryImage,
		Labels: map[string]string{LabelInstance: e.cfg.Instance, LabelRegistry: spec},
	}
	hc := &container.HostConfig{
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyUnlessStopped},
		CapDrop:       []string{"ALL"},
		SecurityOpt:   []string{"no-new-privileges"},
		Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: registryName(e.cfg.Instance) + "-data", Target: registryData,
			VolumeOptions: &mount.VolumeOptions{Labels: map[string]string{LabelInstance: e.cfg.Instance}}}},
		LogConfig: container.LogConfig{Type: logDriver, Config: map[string]string{"max-size": logMaxSize, "max-file": logMaxFiles}},
		Resources: container.Resources{Memory: 256 << 20, MemorySwap: 256 << 20, PidsLimit: &pids},
	}
	return cfg, hc
}

// ensureRegistryNetwork makes the registry's own network: internal, so
// that the registry reaches nothing; session networks are added to it.
func (e *Engine) ensureRegistryNetwork(ctx context.Context) error {
	name := registryName(e.cfg.Instance)
	if _, err := e.cli.NetworkInspect(ctx, name, network.InspectOptions{}); err == nil {
		return nil
	}
	_, err := e.cli.NetworkCreate(ctx, name, network.CreateOptions{Driver: "bridge", Internal: true,
		Labels: map[string]string{LabelInstance: e.cfg.Instance}})
	if err != nil && !cerrdefs.IsConflict(err) && !strings.Contains(err.Error(), "already exists") {
		return engineError(err, "create the registry's network")
	}
	return nil
}

// seedRegistry pushes images into the registry's storage through a
// writable registry published on the engine host's loopback only.
func (e *Engine) seedRegistry(ctx context.Context, images []string) error {
	if len(images) == 0 {
		return nil
	}
	name := registryName(e.cfg.Instance) + "-seed"
	e.removeContainer(ctx, name)
	cfg, hc := e.registryConfig("seed")
	cfg.Cmd = []string{registrySeedConfig}
	cfg.ExposedPorts = nat.PortSet{registryPort + "/tcp": {}}
	hc.RestartPolicy = container.RestartPolicy{}
	hc.PortBindings = nat.PortMap{registryPort + "/tcp": {{HostIP: "127.0.0.1"}}}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		return engineError(err, "create the seeding registry")
	}
	defer e.removeContainer(context.WithoutCancel(ctx), created.ID)
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return engineError(err, "start the seeding registry")
	}
	info, err := e.cli.ContainerInspect(ctx, created.ID)
	if err != nil {
		return engineError(err, "inspect the seeding registry")
	}
	var port string
	if info.NetworkSettings != nil {
		if b := info.NetworkSettings.Ports[registryPort+"/tcp"]; len(b) > 0 {
			port = b[0].HostPort
		}
	}
	if port == "" {
		return fault.Errorf(fault.EINTERNAL, "The seeding registry got no port.")
	}
	for _, img := range images {
		target := "127.0.0.1:" + port + "/" + registryPath(img)
		if err := e.cli.ImageTag(ctx, img, target); err != nil {
			return engineError(err, "tag "+img)
		}
		err := e.push(ctx, target)
		if _, rerr := e.cli.ImageRemove(ctx, target, image.RemoveOptions{}); rerr != nil {
			e.log.Warn("untag a seeded image", "image", target, "err", rerr)
		}
		if err != nil {
			return fault.Wrap(fault.EUNAVAILABLE, err, "The image "+img+" could not be put in the registry.")
		}
	}
	return nil
}

// push pushes one image, trying again while the registry starts.
func (e *Engine) push(ctx context.Context, ref string) error {
	var err error
	for try := 0; try < pushAttempts; try++ {
		if err = e.pushOnce(ctx, ref); err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(pushWait)
	}
	return err
}

// pushOnce pushes one image and reads its progress to the end.
func (e *Engine) pushOnce(ctx context.Context, ref string) error {
	rc, err := e.cli.ImagePush(ctx, ref, image.PushOptions{RegistryAuth: "e30="}) // {}: anonymous
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if msg.Error != "" {
			return fmt.Errorf("push %s: %s", ref, msg.Error)
		}
	}
}

// registryPath is where a Docker Hub image lives in a mirror: official
// images under library/.
func registryPath(img string) string {
	repo := img
	if i := strings.IndexAny(repo, ":@"); i >= 0 && !strings.Contains(repo[i:], "/") {
		repo = repo[:i]
	}
	rest := strings.TrimPrefix(img, repo)
	if !strings.Contains(repo, "/") {
		repo = "library/" + repo
	}
	return repo + rest
}

// nodeArgs returns the agent's arguments of a node: the configured ones,
// and the registry as the node engine's mirror unless one is configured.
// The mirror is named by its address on the session's network, not its
// alias: the inner engine's resolver also asks for an IPv6 address, which
// Docker's DNS sends upstream, and on an internal network that waits ten
// seconds for nothing.
func (e *Engine) nodeArgs(subnet netip.Prefix) []string {
	args := slices.Clone(e.cfg.AgentArgs)
	if e.RegistryOn() && subnet.IsValid() && !slices.Contains(args, "--registry-mirror") {
		args = append(args, "--registry-mirror", "http://"+lastHost(subnet).String()+":"+registryPort)
		if e.cacheOn() {
			args = append(args, "--registry-mirror", "http://"+cacheAddr(subnet).String()+":"+registryPort)
		}
	}
	return args
}

// RemoveRegistry removes the instance's registry and cache, their network
// and their data, for an instance that is gone for good. Session networks
// must be gone first.
func (e *Engine) RemoveRegistry(ctx context.Context) error {
	var errs []error
	for _, name := range []string{registryName(e.cfg.Instance), cacheName(e.cfg.Instance)} {
		errs = append(errs, e.removeContainer(ctx, name))
		if err := e.cli.VolumeRemove(ctx, name+"-data", true); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, engineError(err, "remove volume "+name+"-data"))
		}
	}
	if err := e.cli.NetworkRemove(ctx, registryName(e.cfg.Instance)); err != nil && !cerrdefs.IsNotFound(err) {
		errs = append(errs, engineError(err, "remove network "+registryName(e.cfg.Instance)))
	}
	return errors.Join(errs...)
}
