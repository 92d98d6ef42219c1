# `make install`'s layout, checked: installs BUILD_DIR into a fresh PREFIX,
# expects every file an operator needs, and runs the installed binaries.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE installed OUTPUT_QUIET)
if(NOT installed EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${installed})")
endif()
foreach(path
    bin/iomhubd bin/iomctl bin/iomhub-probation-feed bin/iomhub-police-feed
    bin/iomhub-dashboard bin/iomhub-simulate lib/systemd/system/iomhub-dashboard.service
    share/doc/iomhub/dashboard.md share/doc/iomhub/dashboard.png
    lib/systemd/system/iomhubd.service lib/systemd/system/iomhub-probation-feed.service
    lib/systemd/system/iomhub-probation-feed.timer lib/systemd/system/iomhub-health-notifier.service
    lib/systemd/system/iomhub-backup.service lib/systemd/system/iomhub-backup.timer
    share/doc/iomhub/LICENSE share/doc/iomhub/CHANGELOG.md share/doc/iomhub/README.md
    share/doc/iomhub/operations.md share/doc/iomhub/audit.md
    share/doc/iomhub/examples/config/hub.textproto
    share/doc/iomhub/examples/production/hub.textproto
    share/doc/iomhub/examples/config/principals.textproto
    share/doc/iomhub/examples/config/agreements/housing.textproto)
  if(NOT EXISTS "${PREFIX}/${path}")
    message(FATAL_ERROR "make install did not install ${path}")
  endif()
endforeach()
foreach(binary iomhubd iomctl iomhub-probation-feed iomhub-police-feed iomhub-dashboard
               iomhub-simulate)
  execute_process(COMMAND "${PREFIX}/bin/${binary}" --version
                  OUTPUT_VARIABLE version RESULT_VARIABLE ran)
  if(NOT ran EQUAL 0 OR NOT version MATCHES "^${binary} [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit ")
    message(FATAL_ERROR "installed ${binary} --version: exit ${ran}, \"${version}\"")
  endif()
endforeach()
file(READ "${PREFIX}/lib/systemd/system/iomhubd.service" unit)
foreach(line "ExecReload=/bin/kill -HUP $MAINPID" "NoNewPrivileges=yes" "ProtectSystem=strict"
        "StateDirectory=iomhub" "Restart=on-failure" "Type=notify")
  string(FIND "${unit}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the systemd unit lacks ${line}")
  endif()
endforeach()
file(REMOVE_RECURSE "${PREFIX}")
message(STATUS "install layout checked")
