# Subscription integration tests against the real iomhubd (included from
# tests/integration/CMakeLists.txt). They need tests/support's HubProcess.
if(TARGET iomhub_test_support)
  add_library(iomhub_subscription_recorder STATIC
    ${CMAKE_CURRENT_LIST_DIR}/subscription_recorder.cc)
  target_link_libraries(iomhub_subscription_recorder
    PUBLIC iomhub_test_support iomhub_proto gRPC::grpc++ absl::synchronization absl::time
    PRIVATE absl::strings iomhub_warnings)

  foreach(_test subscription_property_test subscription_restart_test)
    add_executable(${_test} ${CMAKE_CURRENT_LIST_DIR}/${_test}.cc)
    target_link_libraries(${_test} PRIVATE
      iomhub_subscription_recorder iomhub_test_support GTest::gmock GTest::gtest_main
      iomhub_warnings)
    gtest_discover_tests(${_test}
      DISCOVERY_MODE PRE_TEST
      PROPERTIES LABELS integration TIMEOUT 120)
  endforeach()
else()
  message(STATUS "tests/support has no iomhub_test_support yet: subscription tests skipped")
endif()
