package main

import (
	"fmt"
	"strings"

	"github.com/cairnlabs/cairn/cluster"
	"github.com/spf13/cobra"
)

// serverCmd is `cairn server`: the NATS server with JetStream embedded in
// the cairn binary.
func serverCmd() *cobra.Command {
	var (
		cfg    cluster.ServerConfig
		routes string
	)
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a NATS server with JetStream for a cairn cluster (one, or a cluster of three)",
		Long: `server runs the NATS server (with JetStream) that is built into cairn, so
that going to many machines needs nothing else. Drivers and workers connect
to the URL it prints.

One server:
  cairn server --host 0.0.0.0 --port 4222 --store-dir /var/lib/cairn-nats

A JetStream cluster of three (run one on each host; each lists the others):
  cairn server --host 0.0.0.0 --name n1 --cluster 0.0.0.0:6222 \
      --routes nats://h2:6222,nats://h3:6222 --store-dir /var/lib/cairn-nats
  (then --replicas 3 on the driver's side, Config.Replicas in Go)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if routes != "" {
				cfg.Routes = strings.Split(routes, ",")
			}
			if len(cfg.Routes) > 0 && cfg.ClusterListen == "" {
				return fmt.Errorf("--routes needs --cluster HOST:PORT, the address the other servers reach this one at")
			}
			ctx := cmd.Context()
			srv, err := cluster.StartServer(ctx, cfg)
			if err != nil {
				return err
			}
			defer srv.Shutdown()
			fmt.Fprintf(cmd.OutOrStdout(), "cairn server: NATS with JetStream at %s", srv.URL())
			if cfg.ClusterListen != "" {
				fmt.Fprintf(cmd.OutOrStdout(), " (cluster %s, routes %s)", cfg.ClusterListen, routes)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "; Ctrl-C stops it")
			<-ctx.Done()
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfg.Host, "host", "127.0.0.1", "address to listen on for clients (0.0.0.0 for other hosts)")
	fl.IntVar(&cfg.Port, "port", 4222, "port for clients (0: a free one)")
	fl.StringVar(&cfg.StoreDir, "store-dir", "", "JetStream's storage (default: a temporary directory, removed at exit)")
	fl.StringVar(&cfg.Name, "name", "", "this server's name in a cluster")
	fl.StringVar(&cfg.ClusterListen, "cluster", "", "HOST:PORT to listen on for the other servers of a cluster")
	fl.StringVar(&routes, "routes", "", "the other servers' cluster addresses, comma-separated (nats://h2:6222,nats://h3:6222)")
	fl.StringVar(&cfg.ClusterName, "cluster-name", "cairn", "the cluster's name, the same on every server")
	fl.BoolVar(&cfg.Log, "log", false, "log the server's messages to standard error")
	return cmd
}

func init() { rootCmd.AddCommand(serverCmd()) }
