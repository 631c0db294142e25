package devserver

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
)

// Single is a Temporal server with its four services in one process on one
// host: `suivi dev` runs one on SQLite, the fault harness one on PostgreSQL.
type Single struct {
	// FrontendAddr is the gRPC address clients dial; the other services
	// and the frontend's HTTP take free ports on the same host.
	FrontendAddr string
	// Stores are the persistence stores, DefaultStore and VisibilityStore
	// their names in it, Shards the number of history shards.
	Stores                        map[string]config.DataStore
	DefaultStore, VisibilityStore string
	Shards                        int32
	// ClusterID is fixed by `suivi dev` so a restart keeps it; empty lets
	// the server mint one.
	ClusterID string
	Logger    log.Logger
	Dynamic   dynamicconfig.StaticClient
}

// NewSingle builds the server; the caller starts and stops it.
func NewSingle(s Single) (temporal.Server, error) {
	host, port, err := splitHostPort(s.FrontendAddr)
	if err != nil {
		return nil, fmt.Errorf("temporal frontend address: %w", err)
	}
	ports, err := freePorts(host, 4)
	if err != nil {
		return nil, err
	}
	httpPort, historyPort, matchingPort, workerPort := ports[0], ports[1], ports[2], ports[3]
	svc := func(p int) config.Service { return config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: host}} }
	frontend := svc(port)
	frontend.RPC.HTTPPort = httpPort

	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = host
	conf.Persistence.DefaultStore = s.DefaultStore
	conf.Persistence.VisibilityStore = s.VisibilityStore
	conf.Persistence.NumHistoryShards = s.Shards
	conf.Persistence.DataStores = s.Stores
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
			Enabled:                true,
			InitialFailoverVersion: 1,
			RPCAddress:             s.FrontendAddr,
			HTTPAddress:            net.JoinHostPort(host, strconv.Itoa(httpPort)),
			ClusterID:              s.ClusterID,
		}},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		"frontend": frontend, "history": svc(historyPort), "matching": svc(matchingPort), "worker": svc(workerPort),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = s.FrontendAddr

	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("temporal: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, s.Logger)
	if err != nil {
		return nil, fmt.Errorf("temporal: claim mapper: %w", err)
	}
	hostPort := func(p int) static.Hosts { return static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(p))) }
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: hostPort(port),
			primitives.HistoryService:  hostPort(historyPort),
			primitives.MatchingService: hostPort(matchingPort),
			primitives.WorkerService:   hostPort(workerPort),
		}),
		temporal.WithLogger(s.Logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(s.Dynamic),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal: %w", err)
	}
	return srv, nil
}
