from hubcarbon.cli import main

raise SystemExit(main())
